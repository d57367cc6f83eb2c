"""Clients for the live public sources: every payload lands as it arrived before anything reads it."""
