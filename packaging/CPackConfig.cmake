# Minimal Debian package: `cmake --build build --target package` (or `cpack` in the build folder).
install(FILES "${CMAKE_SOURCE_DIR}/packaging/cotlab.desktop" DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/io.github.cotlab.CoTLab.metainfo.xml"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES "${CMAKE_SOURCE_DIR}/resources/icons/cotlab.svg"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(DIRECTORY "${CMAKE_SOURCE_DIR}/resources/demo/" DESTINATION ${CMAKE_INSTALL_DATADIR}/cotlab/demo)
# Help > User Guide shows these (ui/HelpBrowser).
install(DIRECTORY "${CMAKE_SOURCE_DIR}/docs/" DESTINATION ${CMAKE_INSTALL_DATADIR}/cotlab/docs)
install(DIRECTORY "${CMAKE_SOURCE_DIR}/resources/templates/" DESTINATION ${CMAKE_INSTALL_DATADIR}/cotlab/templates)
install(PROGRAMS "${CMAKE_SOURCE_DIR}/resources/experiments/symbolic-distillation.sh" DESTINATION ${CMAKE_INSTALL_DATADIR}/cotlab/experiments)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "cotlab")
set(CPACK_PACKAGE_VENDOR "CoTLab")
set(CPACK_PACKAGE_CONTACT "CoTLab developers <cotlab@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The RelWithDebInfo executables carry ~100 MB of debug symbols each: the package ships them stripped.
set(CPACK_STRIP_FILES ON)
# libtorch falls back to the reference BLAS without it, and CPU training is about 25x slower.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
include(CPack)
