"""Private implementation of the simulated Stata behind ``pystata`` and ``sfi`` (libstata's part).

Layout (the data path): ``lexer`` splits code into statements -> ``interp`` expands ``macros``, evaluates
``expr`` and dispatches to ``commands/*`` -> text goes to ``output.OutputBuffer``, which readers empty with
``StataSO_GetOutputBuffer``. ``runtime`` ties these together and is what ``config.stlib`` controls; ``state``
holds macros, results, the ``dataset`` and graphs (``graphs`` renders them); ``release`` says which pystata
release is played. pystata's own Python layer (``pystata.stata``, ``pystata.core.stout``) sits on top.
"""
