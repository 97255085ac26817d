"""The JSON API of DESIGN §2 (``/api/v1``)."""
