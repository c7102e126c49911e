"""The HTTP side of the review tool: access rules, security headers, page rendering, and the views
the pages show (queue rows, transcripts, filters, charts, insights, exports)."""
