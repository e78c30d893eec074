"""Staff accounts of the standalone portal: sign-in with lockout, and user administration."""
