"""The moderators' screens: review queue, provider review, edits, merges, flags and reviews."""
