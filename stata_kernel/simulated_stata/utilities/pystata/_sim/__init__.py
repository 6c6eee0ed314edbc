"""Private implementation of the simulated Stata behind ``pystata`` and ``sfi`` (libstata's part).

Layout (the data path): ``entrypoints`` is ``config.stlib``, the C entry points -> ``runtime`` runs one
line per ``StataSO_Execute`` -> ``lexer`` splits code into statements -> ``interp`` expands ``macros``,
evaluates ``expr`` and dispatches to ``commands/*`` (``blocks`` for programs/Python/Mata, ``mata``) ->
text goes to ``output.OutputBuffer``, which readers empty with ``StataSO_GetOutputBuffer``. ``state`` holds
macros, results, the ``dataset`` and graphs (``graphs`` renders them); ``release`` says which pystata
release is played. pystata's own Python layer (``pystata.stata``, ``pystata.core.stout``) sits on top.
"""
