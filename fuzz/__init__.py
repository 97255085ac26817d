"""``make fuzz``: Schemathesis against the JSON API of the site as deployed."""
