"""Workers and their children: the registry every other feature reads."""
