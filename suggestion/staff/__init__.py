"""The staff desk: the queue, the case page and its actions, intake."""
