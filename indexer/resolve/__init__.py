"""Entity resolution (observations -> providers) and the recompute engine that derives provider fields."""
