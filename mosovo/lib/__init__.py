"""Small shared helpers (PDF rendering, SVG charts, CSV safety) used by several apps."""
