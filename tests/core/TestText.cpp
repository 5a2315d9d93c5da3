// Text utilities and the streaming line reader.
#include "support/TestSupport.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <QtTest>

using namespace cotlab;

class TestText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void utf8Validation()
    {
        QCOMPARE(text::firstInvalidUtf8("plain ascii text, longer than eight bytes"), std::string_view::npos);
        QCOMPARE(text::firstInvalidUtf8("caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xF0\x9F\x98\x80"),
                 std::string_view::npos);
        QCOMPARE(text::firstInvalidUtf8("caf\xE9"), size_t(3));          // Latin-1 byte
        QCOMPARE(text::firstInvalidUtf8("ab\xC0\xAF"), size_t(2));       // overlong '/'
        QCOMPARE(text::firstInvalidUtf8("x\xED\xA0\x80"), size_t(1));    // UTF-16 surrogate
        QCOMPARE(text::firstInvalidUtf8("12345678\xE2\x80"), size_t(8)); // truncated sequence
    }

    void caseInsensitiveSearch()
    {
        QCOMPARE(text::findIgnoreCase("So THE Answer is", "answer"), size_t(7));
        QCOMPARE(text::rfindIgnoreCase("answer one, Answer two", "ANSWER"), size_t(12));
        QVERIFY(text::startsWithIgnoreCase("Yes.", "yes"));
        QCOMPARE(text::trim("  a b \n"), std::string_view("a b"));
    }

    void lineReaderHandlesCrLfAndMissingFinalNewline()
    {
        test::TempDir dir;
        const auto path = test::writeFile(dir.path("f.txt"), "one\r\ntwo\n\nthree");
        LineReader r(path);
        std::string_view line;
        std::vector<std::string> lines;
        while (r.next(line))
            lines.emplace_back(line);
        QCOMPARE(lines, (std::vector<std::string>{"one", "two", "", "three"}));
        QCOMPARE(r.lineNumber(), int64_t(4));
        QCOMPARE(r.bytesRead(), r.fileSize());
    }

    void lineReaderCrossesBlockBoundaries()
    {
        test::TempDir dir;
        std::string content;
        for (int i = 0; i < 20000; ++i)
            content += std::string(size_t(37 + i % 300), char('a' + i % 26)) + "\n";
        const auto path = test::writeFile(dir.path("f.txt"), content);
        LineReader r(path);
        std::string_view line;
        int i = 0;
        while (r.next(line)) {
            QCOMPARE(line.size(), size_t(37 + i % 300));
            QCOMPARE(line.front(), char('a' + i % 26));
            ++i;
        }
        QCOMPARE(i, 20000);
    }

    void lineReaderCanRequireUtf8()
    {
        test::TempDir dir;
        const auto path = test::writeFile(dir.path("f.txt"), "fine\ncaf\xE9\n");
        LineReader lax(path);
        std::string_view line;
        QVERIFY(lax.next(line) && lax.next(line));
        LineReader strict(path, LineReader::kDefaultMaxLineBytes, true);
        QVERIFY(strict.next(line));
        try {
            strict.next(line);
            QFAIL("accepted a Latin-1 byte");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString::fromStdString(path) +
                                            ":2: byte 4 (0xE9) is not valid UTF-8; the file must be UTF-8 encoded");
        }
    }

    void lineReaderRejectsOverlongLines()
    {
        test::TempDir dir;
        const auto path = test::writeFile(dir.path("f.txt"), "short\n" + std::string(3u << 20, 'x') + "\n");
        LineReader r(path, 1u << 20);
        std::string_view line;
        QVERIFY(r.next(line));
        QVERIFY_THROWS_EXCEPTION(Error, r.next(line));
    }
};

QTEST_GUILESS_MAIN(TestText)
#include "TestText.moc"
