"""Built-in platform plugins, each registered through the ``chair.plugins`` entry-point group."""
