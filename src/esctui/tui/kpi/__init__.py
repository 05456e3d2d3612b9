"""The KPI screen: the learning loop's figures, from the same function as `esctui metrics`."""
