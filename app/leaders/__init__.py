"""The register of leaders (领导): 党政一把手, 包保领导, with their jurisdiction."""
