"""The API's resources: each module here makes one blueprint with `resource_blueprint`."""
