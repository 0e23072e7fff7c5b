"""ARMS assessment pages: thin HTML views over the services and selectors."""
