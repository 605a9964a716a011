"""A rectification item (整改事项): one problem, fixed by its agency under a deadline,
verified (销号) by the supervising legal office.

``state`` is what an item is and how its events fold into it, ``commands`` what may be
asked of it, ``deadlines`` when its thresholds fall, ``decider`` what each command
decides."""
