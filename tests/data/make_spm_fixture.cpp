// Writes tests/data/spm-bpe/: a small Llama-2-style SentencePiece BPE model (byte fallback, identity
// normalisation, dummy prefix, split digits) trained with the sentencepiece library on the demo's SVAMP
// questions, and the library's own encodings of test strings, which CoTLab's reader must reproduce.
// Built alone (the library cannot share a process with libtorch: both carry protobuf):
//   g++ -std=c++20 -O1 tests/data/make_spm_fixture.cpp -o /tmp/make_spm_fixture \
//       $(pkg-config --cflags --libs sentencepiece) && /tmp/make_spm_fixture
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

int main()
{
    const std::string dir = "tests/data/spm-bpe";
    std::ifstream in("resources/demo/datasets/svamp.json");
    const auto items = nlohmann::json::parse(in);
    {
        std::ofstream corpus("/tmp/spm-corpus.txt");
        for (const auto& item : items)
            corpus << item["question"].get<std::string>() << "\n";
    }
    const auto status = sentencepiece::SentencePieceTrainer::Train(
        "--input=/tmp/spm-corpus.txt --model_prefix=" + dir +
        "/tokenizer --model_type=bpe --vocab_size=600 --byte_fallback=true --split_digits=true "
        "--normalization_rule_name=identity --add_dummy_prefix=true --remove_extra_whitespaces=false "
        "--allow_whitespace_only_pieces=true --character_coverage=1.0 --num_threads=1 --minloglevel=2");
    if (!status.ok()) {
        std::cerr << status.ToString() << "\n";
        return 1;
    }
    std::remove((dir + "/tokenizer.vocab").c_str());
    sentencepiece::SentencePieceProcessor sp;
    if (!sp.Load(dir + "/tokenizer.model").ok())
        return 1;
    const std::vector<std::string> texts = {
        "Jack had 8 pens and Mary had 5 pens. How many pens do they have in all?",
        "There are 1234 marbles in 56 bags.",
        "Hello world",
        "  two leading spaces and  double  spaces inside ",
        "line one\nline two\n\ttabbed",
        "caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9",
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E and \xF0\x9F\x99\x82 emoji",
        "So the answer is (B).",
        "",
        "a",
    };
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& text : texts) {
        std::vector<int> ids;
        sp.Encode(text, &ids);
        std::string decoded;
        sp.Decode(ids, &decoded);
        cases.push_back({{"text", text}, {"ids", ids}, {"decoded", decoded}});
    }
    nlohmann::json out = {{"bos_id", sp.bos_id()},
                          {"eos_id", sp.eos_id()},
                          {"unk_id", sp.unk_id()},
                          {"vocab_size", sp.GetPieceSize()},
                          {"cases", cases}};
    std::ofstream(dir + "/encodings.json") << out.dump(1) << "\n";
    std::cout << "wrote " << dir << "/tokenizer.model and encodings.json (" << sp.GetPieceSize() << " pieces)\n";
    return 0;
}
