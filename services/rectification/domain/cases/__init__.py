"""A typical case (典型案例): investigated from one or more problems, referred to
discipline inspection or the procuratorate, exposed, and ending in accountability.

``state`` is what a case is and how its events fold into it, ``commands`` what may be
asked of it, ``deadlines`` when a referral falls overdue, ``decider`` what each
command decides."""
