"""The home page: the organisation tree in the user's scope with the counts that exist so far."""
