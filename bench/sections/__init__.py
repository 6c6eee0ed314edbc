"""One module per benchmark section; each ``run(ctx)`` returns a JSON-able dict."""
