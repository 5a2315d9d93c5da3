// cotlab: the desktop workbench.
#include "MainWindow.h"
#include "nn/CpuThreads.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    cotlab::nn::setCpuThreads(); // libtorch's default threads; OpenBLAS's pool kept from competing
    // No organization name: data in ~/.local/share/CoTLab (not CoTLab/CoTLab), settings in ~/.config/CoTLab.conf.
    QApplication::setApplicationName("CoTLab");
    QApplication::setApplicationVersion(COTLAB_VERSION);
    Q_INIT_RESOURCE(resources);

    QCommandLineParser parser;
    parser.setApplicationDescription("CoTLab: a workbench for chain-of-thought distillation");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demo("demo", "Open the demo workspace (built from the bundled real data on first run).");
    parser.addOption(demo);
    parser.addPositionalArgument("workspace", "Workspace file (*.cotlab) to open or create.", "[workspace]");
    parser.process(app);

    cotlab::ui::MainWindow window;
    window.show();
    if (parser.isSet(demo))
        window.openDemoWorkspace();
    else if (!parser.positionalArguments().isEmpty())
        window.openWorkspace(parser.positionalArguments().first());
    else if (const QString last = QSettings().value("workspace/last").toString(); !last.isEmpty())
        window.openWorkspace(last);
    return app.exec();
}
