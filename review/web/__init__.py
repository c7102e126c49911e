"""The HTTP side of the review tool: access rules, security headers and page rendering."""
