"""Reference data: what intake knows of campaigns, agencies and regulated entities
(folded from ``directory.events``), and the CSV importer that publishes them."""
