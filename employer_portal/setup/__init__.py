"""First run: with an empty database the portal asks for the company and the first admin."""
