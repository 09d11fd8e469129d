-- gstack for Neovim 0.7 or later: the `gstack` filetype and its language server.
--
-- Put this file in ~/.config/nvim/plugin/ (or `dofile` it from init.lua). The server is started
-- with vim.g.gstack_lsp_cmd, by default { "gstackc", "lsp" }; one server per project root (the
-- directory holding .git, else the file's directory). Diagnostics, hover (K), go to definition,
-- references, rename, formatting (vim.lsp.buf.format / formatting_sync), completion (omnifunc)
-- and document symbols come from the server; Neovim 0.9+ also shows its semantic tokens.
-- (an autocommand, not vim.filetype.add: Neovim 0.7 only reads that with g:do_filetype_lua)
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, { pattern = "*.gstack", command = "setfiletype gstack" })

local clients = {}

local function root_dir(bufname)
  local dir = vim.fn.fnamemodify(bufname, ":p:h")
  local git = vim.fn.finddir(".git", dir .. ";")
  if git ~= "" then
    return vim.fn.fnamemodify(git, ":p:h:h")
  end
  return dir
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "gstack",
  callback = function(args)
    local buf = args.buf
    vim.bo[buf].commentstring = "// %s"
    vim.bo[buf].omnifunc = "v:lua.vim.lsp.omnifunc"
    local config = {
      name = "gstack",
      cmd = vim.g.gstack_lsp_cmd or { "gstackc", "lsp" },
      root_dir = root_dir(vim.api.nvim_buf_get_name(buf)),
    }
    if vim.lsp.start then -- Neovim 0.8+
      vim.lsp.start(config, { bufnr = buf })
      return
    end
    -- Neovim 0.7: start one client per root and attach every buffer of that root to it
    local id = clients[config.root_dir]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client(config)
      clients[config.root_dir] = id
    end
    if id then
      vim.lsp.buf_attach_client(buf, id)
    end
  end,
})
