environment = "smoke"
