"""``sokhan process``: the unannotated text pipeline over any number of articles.

Records stream from the input (:mod:`~sokhan.process.inputs`) in bounded batches
through one pure per-record function (:mod:`~sokhan.process.document`), run by a
local process pool or on Dask (:mod:`~sokhan.process.engines`), and into sharded
Parquet under the published ``documents`` and ``sentences`` schemas
(:mod:`~sokhan.process.output`). :mod:`~sokhan.process.run` wires them.
"""
