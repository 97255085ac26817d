"""Cases: what the public files and staff work on."""
