#include "common/PlotFiles.h"

#include "common/QCustomPlotInclude.h"

#include <QFileDialog>
#include <QPushButton>

namespace cotlab::ui {

bool savePlot(QCustomPlot* plot, const QString& path)
{
    if (path.endsWith(".pdf", Qt::CaseInsensitive))
        return plot->savePdf(path);
    return plot->savePng(path, 0, 0, 2.0);
}

QPushButton* savePlotButton(QCustomPlot* plot, const QString& name, std::function<QString()> folder,
                            std::function<void(const QString&, bool)> report)
{
    auto* save = new QPushButton(QObject::tr("Save plot…"));
    save->setObjectName("save-" + name);
    QObject::connect(save, &QPushButton::clicked, plot, [plot, name, folder, report] {
        const QString path =
            QFileDialog::getSaveFileName(plot->window(), QObject::tr("Save plot"), folder() + "/" + name + ".png",
                                         QObject::tr("PNG image (*.png);;PDF document (*.pdf)"));
        if (path.isEmpty())
            return;
        if (savePlot(plot, path))
            report(QObject::tr("Saved the plot to %1").arg(path), false);
        else
            report(QObject::tr("Cannot write %1: check the folder exists and is writable.").arg(path), true);
    });
    return save;
}

} // namespace cotlab::ui
