"""The operators' dashboard and its run requests."""
