"""The web client: login, the command-centre map and the import page, served by zhishui."""
