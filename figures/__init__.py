"""Pure figure builders: DataFrame (+ geometry URL) -> go.Figure. No dash imports."""
