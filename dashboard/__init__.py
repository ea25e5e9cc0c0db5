"""The Dash layer of Customer Segments: app factory, settings, cache, shell, figures."""
