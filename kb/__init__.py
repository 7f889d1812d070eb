"""ExpEx Kennisbank: collective advice of young people with youth-care experience."""
