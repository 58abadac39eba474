"""Search everywhere: the top bar's search box and its page of results grouped by kind."""
