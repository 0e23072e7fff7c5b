"""ARMS API views (DRF): thin, one per operation, over the services and selectors."""
