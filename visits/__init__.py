"""Home visits: pre-visit safety assessment, planning, recording, compliance checks and visit frequency."""
