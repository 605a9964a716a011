"""Phase-5 summary reports (总结报告) as PDF and Word, from the read models."""
