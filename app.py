from share import create_app

app = create_app()
