"""The whole installation as one JSON document: `tracker export` and `tracker restore`.

`format.py` is the document (its lines, its values, the secrets it leaves out),
`export.py` writes it from a database, `restore.py` loads it into an empty one. Both
stream: an export holds one batch of rows in memory, a restore one line and one batch.
"""
