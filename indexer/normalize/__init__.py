"""Observation payloads -> the indexer's typed view (see ``record``)."""
