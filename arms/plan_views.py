"""Risk management plan pages and the PDF export: thin HTML views over the services and selectors."""
