"""Where a deciding service keeps its aggregates' decision state and its look-ups:
one local SQLite file per service (``data_dir/state/<service>.sqlite``), so that
memory stays flat however long the campaign runs.

The log is the truth and the file a cache of it. Beside the state, the file keeps how
far into the service's topic that state goes, committed in the same transaction. A
restarted service reopens the file and reads the topic on from there
(``shared.kafka.replay.catch_up``); the file starts empty after a crash, when its
tables are of another format, or when the log no longer holds the event the file says
it ends with. One kind whose state version changed without an upcaster is refolded
alone.

- ``file``: the SQLite file, its batches and clean-stop mark;
- ``lock``: the single writer (an OS lock beside the file);
- ``aggregates``: states as versioned documents, the in-memory cache, upcasting;
- ``tracking``: the positions in the log;
- ``indexes``: look-ups and work lists;
- ``statefile``: ``StateFile``, the one object a store holds.
"""

from shared.state.aggregates import Aggregate, StateCodec, Upcaster
from shared.state.indexes import Lookup, WorkList
from shared.state.lock import StateFileInUse
from shared.state.statefile import DataDirectoryInUse, StateFile, service_state_file
from shared.state.tracking import Position

__all__ = [
    "Aggregate",
    "DataDirectoryInUse",
    "Lookup",
    "Position",
    "StateCodec",
    "StateFile",
    "StateFileInUse",
    "Upcaster",
    "WorkList",
    "service_state_file",
]
