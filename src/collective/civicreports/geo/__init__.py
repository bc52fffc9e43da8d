"""Places: the municipal territory, the grid cells and the map's index of
public reports, and the reports near a place."""
