"""ARMS API input and output serializers (explicit fields)."""
