"""The company and its organisation tree: group → subsidiary → site → team (DOMAIN §2)."""
