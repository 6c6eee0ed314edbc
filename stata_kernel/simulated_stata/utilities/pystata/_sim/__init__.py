"""Private implementation of the simulated Stata behind ``pystata`` and ``sfi``.

Layout (the data path): ``lexer`` splits code into statements -> ``interp`` expands ``macros``, evaluates
``expr`` and dispatches to ``commands/*`` -> text goes to ``output.OutputBuffer`` -> ``output.OutputThread``
prints it in arbitrary pieces to ``config.stoutputf``. ``runtime`` ties these together and is what
``config.stlib`` controls; ``state`` holds macros, results, the ``dataset`` and graphs
(``graphs`` renders them).
"""
