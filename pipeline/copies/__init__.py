"""Wire copies: near-duplicate articles (syndication) found by MinHash/LSH, state kept in the index."""
