import click


@click.command("greet")
def greet_command() -> None:
    """Say hello."""
    click.echo("你好")
