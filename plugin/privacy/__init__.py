"""Protection of children's personal information (PIPL): encryption, masking, consent, read audit."""
