"""Credential verification against the NPI registry (NPPES API v2.1)."""
