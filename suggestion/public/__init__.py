"""The public side: the home page, filing, the receipt, tracking, the published process."""
